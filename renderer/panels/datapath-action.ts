/**
 * "Read this node's datapath" where the panels offer it (the node's menu, its details): whether
 * it can be done here and, if not, why (a snapshot has no nodes to read), and how to start it.
 */
import { createContext, useContext } from 'react';
import type { ReadTarget } from '../state/datapath.ts';

export interface DatapathAction {
  /** Why nodes cannot be read from this source, or null when they can (a live context). */
  unavailable: string | null;
  /** A read is under way or waiting for the user. */
  isBusy: boolean;
  read(target: ReadTarget): void;
}

export const DatapathActionContext = createContext<DatapathAction | null>(null);

export const useDatapathAction = (): DatapathAction | null => useContext(DatapathActionContext);
