import { readServerHealth } from './serverHealth';

describe('readServerHealth', () => {
  it("knows PrimeHub Local's answer, with no console", () => {
    const local = { status: 'ok', server: 'primehub-local', console: false, jobs: { isolated: true } };
    expect(readServerHealth(local)).toEqual({ primeHubLocal: true, console: false });
    expect(readServerHealth(JSON.stringify(local))).toEqual({ primeHubLocal: true, console: false });
    // an older PrimeHub Local, known by its jobs report
    expect(readServerHealth({ status: 'ok', jobs: {} })).toEqual({ primeHubLocal: true, console: false });
  });

  it('takes anything else for a PrimeHub with its console', () => {
    for (const body of ['<html>404</html>', '', null, undefined, { status: 'ok' }, 42]) {
      expect(readServerHealth(body)).toEqual({ primeHubLocal: false, console: true });
    }
    expect(readServerHealth({ console: false })).toEqual({ primeHubLocal: false, console: false });
  });
});
