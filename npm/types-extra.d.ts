/* Names kept for compatibility, written by hand. */

/** The module graph (`moduleGraph`); the name the package has always used. */
export type ModuleGraph = ModuleGraphExport
