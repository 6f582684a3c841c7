export interface DeployOptions {
  env: string;
  dryRun: boolean;
  outdir?: string;
  config: string;
}
export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}
export type WranglerRunner = (
  args: string[],
  options: { capture: boolean },
) => Promise<WranglerResult>;
export declare const REQUIRED_SECRETS: readonly string[];
export declare class DeployError extends Error {}
export declare function parseDeployArgs(argv: string[]): DeployOptions;
export declare function siteQueueNames(configPath: string, env: string): string[];
export declare function queueNamesInTable(text: string): string[];
export declare function secretNamesInJson(text: string): string[];
export declare function deploySite(
  options: DeployOptions,
  io?: { run?: WranglerRunner; log?: (line: string) => void },
): Promise<number>;
export declare const runWrangler: WranglerRunner;
