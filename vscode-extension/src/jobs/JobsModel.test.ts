import type { Job } from '@primehub-suite/client';
import { jobsCountText, JobsModel, statusGroupOf } from './JobsModel';

export function job(id: string, phase: Job['phase'], extra: Partial<Job> = {}): Job {
  return {
    id,
    displayName: id,
    cancel: null,
    command: 'echo hi',
    groupId: 'g1',
    groupName: 'phusers',
    schedule: null,
    image: 'base-notebook',
    instanceType: null,
    userId: 'u1',
    userName: 'phadmin',
    phase,
    reason: null,
    message: null,
    createTime: null,
    startTime: null,
    finishTime: null,
    activeDeadlineSeconds: null,
    logEndpoint: null,
    ...extra
  };
}

describe('JobsModel', () => {
  it('groups jobs by status in display order, keeping listing order inside a group', () => {
    const model = new JobsModel();
    model.setJobs([
      job('a', 'Succeeded'),
      job('b', 'Running'),
      job('c', 'Pending'),
      job('d', 'Failed'),
      job('e', 'Unknown')
    ]);
    expect(model.groups().map(g => [g.group, g.jobs.map(j => j.id)])).toEqual([
      ['Running', ['b', 'c']],
      ['Succeeded', ['a']],
      ['Failed', ['d', 'e']]
    ]);
    expect(model.loaded).toBe(true);
  });

  it('maps phases to groups', () => {
    expect(['Pending', 'Preparing', 'Running', null].map(statusGroupOf)).toEqual([
      'Running',
      'Running',
      'Running',
      'Running'
    ]);
    expect(statusGroupOf('Cancelled')).toBe('Cancelled');
  });

  it('upserts in place or at the top, and records errors without losing jobs', () => {
    const model = new JobsModel();
    let changes = 0;
    model.onDidChange(() => changes++);
    model.setJobs([job('a', 'Running'), job('b', 'Running')]);
    model.upsert(job('b', 'Cancelled'));
    model.upsert(job('c', 'Pending'));
    expect(model.jobs.map(j => `${j.id}:${j.phase}`)).toEqual(['c:Pending', 'a:Running', 'b:Cancelled']);
    model.setError(new Error('down'));
    expect(model.jobs).toHaveLength(3);
    expect((model.error as Error).message).toBe('down');
    model.setJobs([]);
    expect(model.error).toBeUndefined();
    expect(changes).toBe(5);
  });
});

describe('listing extent', () => {
  it('says how many jobs are listed, and of how many', () => {
    expect(jobsCountText(1, { hasMore: false })).toBe('1 job');
    expect(jobsCountText(42, { hasMore: false })).toBe('42 jobs');
    expect(jobsCountText(100, { hasMore: true, total: 230 })).toBe('newest 100 of 230');
    expect(jobsCountText(100, { hasMore: true })).toBe('newest 100');
  });

  it('keeps the extent across upserts, counting a new job, and forgets it on clear', () => {
    const model = new JobsModel();
    model.setJobs([job('a', 'Running')], { hasMore: true, total: 230 });
    model.upsert(job('b', 'Pending'));
    expect(model.extent).toEqual({ hasMore: true, total: 231 });
    model.upsert(job('b', 'Running'));
    expect(model.extent.total).toBe(231);
    expect(model.jobs.map(j => j.id)).toEqual(['b', 'a']);
    model.clear();
    expect(model.extent).toEqual({ hasMore: false });
    expect(model.loaded).toBe(false);
    expect(model.get('a')).toBeUndefined();
  });
});
