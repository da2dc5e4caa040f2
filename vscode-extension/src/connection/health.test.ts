import { isLocalHealth } from './health';

describe('which PrimeHub answers /api/health', () => {
  it('knows PrimeHub Local, which has no console pages', () => {
    expect(isLocalHealth(JSON.stringify({ status: 'ok', server: 'primehub-local', console: false, jobs: {} }))).toBe(
      true
    );
    expect(isLocalHealth(JSON.stringify({ status: 'ok', jobs: { sandbox: 'bwrap' } }))).toBe(true);
  });

  it('keeps console links for a server that has a console, or any other answer', () => {
    expect(isLocalHealth(JSON.stringify({ status: 'ok', server: 'primehub-local', console: true, jobs: {} }))).toBe(
      false
    );
    expect(isLocalHealth('{"status":"UP"}')).toBe(false);
    expect(isLocalHealth('<html>not found</html>')).toBe(false);
  });
});
