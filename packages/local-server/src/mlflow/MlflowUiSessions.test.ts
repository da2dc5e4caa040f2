import { MlflowUiSessions } from './MlflowUiSessions';

describe('MlflowUiSessions', () => {
  let now: number;
  let sessions: MlflowUiSessions;
  const A = { userId: 'u1', groupId: 'gA' };

  beforeEach(() => {
    now = 1_000_000;
    sessions = new MlflowUiSessions({ ticketMs: 60_000, idleMs: 3_600_000, now: () => now });
  });

  it('a ticket is redeemed once, within its minute, for its own group only', () => {
    const t = sessions.issueTicket(A);
    expect(t).toMatch(/^[\w-]{43}$/);
    expect(sessions.redeem(t, 'gB')).toBeUndefined();
    // a wrong group's attempt used it up
    expect(sessions.redeem(t, 'gA')).toBeUndefined();

    const t2 = sessions.issueTicket(A);
    const got = sessions.redeem(t2, 'gA');
    expect(got?.grant).toEqual(A);
    expect(got?.sessionId).not.toBe(t2);
    expect(sessions.redeem(t2, 'gA')).toBeUndefined();

    const late = sessions.issueTicket(A);
    now += 60_000;
    expect(sessions.redeem(late, 'gA')).toBeUndefined();
  });

  it('a session serves its group while used, expires after its idle time, and never serves another group', () => {
    const { sessionId } = sessions.redeem(sessions.issueTicket(A), 'gA')!;
    expect(sessions.session(sessionId, 'gB')).toBeUndefined();
    now += 3_000_000;
    expect(sessions.session(sessionId, 'gA')).toEqual(A);
    // used: its idle time starts again
    now += 3_000_000;
    expect(sessions.session(sessionId, 'gA')).toEqual(A);
    now += 3_600_000;
    expect(sessions.session(sessionId, 'gA')).toBeUndefined();
    expect(sessions.session('forged', 'gA')).toBeUndefined();
  });

  it('an ended session is gone', () => {
    const { sessionId } = sessions.redeem(sessions.issueTicket(A), 'gA')!;
    sessions.end(sessionId);
    expect(sessions.session(sessionId, 'gA')).toBeUndefined();
  });
});
