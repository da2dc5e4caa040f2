import { Emitter } from './Emitter';

/** A listing as last loaded, with the last error (state only); subclasses index it in `indexItems`. */
export class ListModel<T> {
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _items: T[] = [];
  private _loaded = false;
  private _error?: unknown;

  get items(): readonly T[] {
    return this._items;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  get error(): unknown {
    return this._error;
  }

  set(items: T[]): void {
    this._items = items;
    this._loaded = true;
    this._error = undefined;
    this.indexItems(items);
    this._onDidChange.fire();
  }

  setError(error: unknown): void {
    this._error = error;
    this._onDidChange.fire();
  }

  clear(): void {
    this._items = [];
    this._loaded = false;
    this._error = undefined;
    this.indexItems([]);
    this._onDidChange.fire();
  }

  /** Called with every new listing before listeners hear of it (subclasses build their indexes). */
  protected indexItems(_items: readonly T[]): void {
    // nothing to index
  }
}
