import type { Job } from '@primehub-suite/client';
import { JobsModel, statusGroupOf } from './JobsModel';

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
