import type { StoreFile } from '../types';
import { defineOperation } from './defineOperation';

// Texts follow the official SDK primehub/files.py.

export const FILES_LIST = defineOperation<
  { files: { phfsPrefix: string | null; items: StoreFile[] | null } | null },
  { where: { phfsPrefix: string; groupName: string }; options?: { recursive?: boolean; limit?: number } }
>(`
  query files($where: StoreFileWhereInput!, $options: StoreFileListOptionInput) {
    files(where: $where, options: $options) { phfsPrefix items { name size lastModified } } }
`);

export const FILES_DELETE = defineOperation<
  { deleteFiles: number | null },
  { where: { phfsPrefix: string; groupName: string }; options?: { recursive?: boolean } }
>(`
  mutation deleteFiles($where: StoreFileWhereInput!, $options: StoreFileDeleteOptionInput) {
    deleteFiles(where: $where, options: $options) }
`);
