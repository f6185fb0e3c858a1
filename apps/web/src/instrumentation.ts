// Runs once when the Next server starts (Node runtime only).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installClientAddress } = await import('./lib/client-address');
  installClientAddress();
}
