import { exitOutcome, startErrorOutcome } from './jobOutcome';

describe('job outcomes', () => {
  test("an exit's outcome, as PrimeHub's pod phases say it", () => {
    expect(exitOutcome(0, null)).toEqual(['Succeeded', 'PodSucceeded', 'Job completed']);
    expect(exitOutcome(3, null)).toEqual(['Failed', 'PodFailed', 'Job failed: the command exited with code 3']);
    expect(exitOutcome(null, 'SIGKILL')).toEqual([
      'Failed',
      'PodFailed',
      'Job failed: the command was killed by SIGKILL'
    ]);
  });

  test('a start error names its cause', () => {
    expect(startErrorOutcome('spawn bwrap ENOENT')).toEqual([
      'Failed',
      'StartError',
      'The job could not start: spawn bwrap ENOENT'
    ]);
  });
});
