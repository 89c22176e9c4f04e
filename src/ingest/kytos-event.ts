/** A Kytos event as the webhook accepted it: id and timestamp are optional there. */
export interface KytosEvent {
  name: string;
  content: Record<string, unknown>;
  id?: string;
  timestamp?: string;
}

/** The events of one webhook request, checked whole before any of them is published. */
export interface EventBatch {
  readonly events: readonly KytosEvent[];
  /** The body held numbers a JavaScript number would round, parsed exactly (see exact-json.ts). */
  readonly exactNumbers: boolean;
}
