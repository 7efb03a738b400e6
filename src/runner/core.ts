/**
 * The runner interface the action uses: the slice of `@actions/core` it needs. It is passed
 * in, so tests hand in a fake and `src/local.ts` hands in the full `@actions/core`.
 */
export interface AnnotationProperties {
  title?: string;
}

export interface Core {
  getInput: (name: string) => string;
  setSecret: (secret: string) => void;
  setOutput: (name: string, value: string) => void;
  info: (message: string) => void;
  debug: (message: string) => void;
  notice: (message: string, properties?: AnnotationProperties) => void;
  warning: (message: string, properties?: AnnotationProperties) => void;
  setFailed: (message: string) => void;
  summary: { addRaw(text: string): { write(): Promise<unknown> } };
}
