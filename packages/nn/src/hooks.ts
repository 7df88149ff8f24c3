/** Removable hook handles (torch.utils.hooks.RemovableHandle). */

let nextHookId = 0;

/** A handle whose `remove()` unregisters the hook it was returned for. */
export class RemovableHandle {
  /** Unique id of the hook this handle removes. */
  readonly id = nextHookId++;
  /** @param owner - The hook table the hook is registered in (the module's hook map). */
  constructor(private readonly owner: Map<number, unknown>) {}
  /** Unregisters the hook (idempotent). */
  remove(): void {
    this.owner.delete(this.id);
  }
}

/** Adds `hook` to `hooks` and returns its handle. @internal */
export function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
  const handle = new RemovableHandle(hooks as Map<number, unknown>);
  hooks.set(handle.id, hook);
  return handle;
}
