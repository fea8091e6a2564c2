// Filled in by the import/export work: starts the simulator, imports samples/, exports them back.
export {};
