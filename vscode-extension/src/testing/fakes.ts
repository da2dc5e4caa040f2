import type { KeyValueStore, SecretStore } from '../vscode-objs/storage';

/** An in-memory Memento. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.data.delete(key);
    } else {
      this.data.set(key, JSON.parse(JSON.stringify(value)));
    }
  }
}

/** An in-memory SecretStorage. */
export class MemorySecrets implements SecretStore {
  readonly data = new Map<string, string>();
  failStore = false;

  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    if (this.failStore) {
      throw new Error('no keyring');
    }
    this.data.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}
