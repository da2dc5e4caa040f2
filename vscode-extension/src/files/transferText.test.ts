import { formatBytes, progressIncrement, transferText } from './transferText';

describe('transfer progress text', () => {
  it('says bytes done of the total, with the percentage', () => {
    expect(
      transferText({
        path: '/data/train.csv',
        bytes: 1536 * 1024,
        totalBytes: 3 * 1024 * 1024,
        filesDone: 0,
        filesTotal: 1
      })
    ).toBe('train.csv — 1.5 MB of 3.0 MB (50%)');
  });

  it('says which file of how many in a folder transfer', () => {
    expect(transferText({ path: '/out/b.bin', bytes: 10, totalBytes: 40, filesDone: 1, filesTotal: 4 })).toBe(
      'b.bin — 10 B of 40 B (25%) · file 2 of 4'
    );
  });

  it('shows the bytes alone when the total is unknown', () => {
    expect(transferText({ path: 'x', bytes: 2048, filesDone: 0, filesTotal: 1 })).toBe('x — 2.0 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
  });

  it('moves the notification bar by what was added since the last report', () => {
    expect(progressIncrement({ bytes: 50, totalBytes: 200 }, 0)).toBe(25);
    expect(progressIncrement({ bytes: 100, totalBytes: 200 }, 25)).toBe(25);
    expect(progressIncrement({ bytes: 100 }, 0)).toBe(0);
  });
});
