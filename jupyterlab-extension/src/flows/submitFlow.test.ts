import type { IPrimeHub, IPrimeHubConfig } from '../tokens';
import { prepareSubmission, unreachableReason, type IAsk, type ISubmitFlowDeps } from './submitFlow';

/** Records every question and answers with `answers` (true: the offered fix-it). */
function asker(answers: boolean[] = []): IAsk & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    confirm: async (title: string, body: string, ok: string) => (
      asked.push(`${title} | ${body} | ${ok}`),
      answers.shift() ?? false
    ),
    error: async (title: string, body: string) => void asked.push(`${title} | ${body}`)
  };
}

function hub(group: string | null, config: Partial<IPrimeHubConfig> = {}): IPrimeHub & { groupSet: string[] } {
  const h = {
    groupSet: [] as string[],
    group,
    config: { group: { id: 'g1', name: 'phusers' }, groupVolume: 'phusers', ...config } as IPrimeHubConfig,
    refresh: async () => undefined,
    describe: (what: string) => `${what} failed`,
    setGroup(name: string) {
      h.groupSet.push(name);
      h.group = name;
    }
  };
  return h as unknown as IPrimeHub & { groupSet: string[] };
}

const NB = { cells: [] };

function deps(h: IPrimeHub, ask: IAsk): ISubmitFlowDeps & { copied: string[] } {
  const copied: string[] = [];
  return {
    hub: h,
    ask,
    copied,
    contents: {
      get: async (path: string) => ({ path, content: NB }),
      copy: async (path: string, dir: string) => (copied.push(path), { path: `${dir}/${path.split('/').pop()}` })
    }
  };
}

describe('prepareSubmission', () => {
  it('opens the form for a notebook in the group volume, naming the group the job goes to', async () => {
    const ask = asker();
    const form = await prepareSubmission(deps(hub('phusers'), ask), 'phusers/ui/a.ipynb', null);
    expect(form).toEqual({ path: 'phusers/ui/a.ipynb', notebook: NB, group: 'phusers' });
    expect(ask.asked).toEqual([]);
  });

  it("stops a notebook another group's job cannot see, and says why", async () => {
    const h = hub('team_b');
    const ask = asker([false]);
    expect(await prepareSubmission(deps(h, ask), 'phusers/ui/a.ipynb', null)).toBeNull();
    expect(ask.asked).toHaveLength(1);
    expect(ask.asked[0]).toMatch(
      /^Jobs of team_b cannot see this notebook \| A job of team_b sees only team_b's group volume/
    );
    expect(ask.asked[0]).toMatch(/\| Submit in phusers$/);
    expect(h.groupSet).toEqual([]);
  });

  it('submits in the notebook’s own group when the user takes the fix-it', async () => {
    const h = hub('team_b');
    const form = await prepareSubmission(deps(h, asker([true])), 'phusers/ui/a.ipynb', null);
    expect(form?.group).toBe('phusers');
    expect(h.groupSet).toEqual(['phusers']);
  });

  it('saves unsaved changes first, or stops', async () => {
    let saved = 0;
    const open = { dirty: true, save: async () => void saved++ };
    expect(await prepareSubmission(deps(hub('phusers'), asker([false])), 'phusers/a.ipynb', open)).toBeNull();
    expect(saved).toBe(0);
    expect(await prepareSubmission(deps(hub('phusers'), asker([true])), 'phusers/a.ipynb', open)).not.toBeNull();
    expect(saved).toBe(1);
  });

  it('copies a notebook from outside the group volume into it', async () => {
    const d = deps(hub('phusers'), asker([true]));
    const form = await prepareSubmission(d, 'outside.ipynb', null);
    expect(d.copied).toEqual(['outside.ipynb']);
    expect(form?.path).toBe('phusers/outside.ipynb');
  });

  it('explains what is missing', async () => {
    const ask = asker();
    expect(await prepareSubmission(deps(hub('phusers'), ask), 'notes.txt', null)).toBeNull();
    expect(await prepareSubmission(deps(hub('phusers', { groupVolume: null }), ask), 'a.ipynb', null)).toBeNull();
    expect(ask.asked).toEqual([
      'Submit notebook as job | Open or select a notebook (.ipynb) first.',
      expect.stringMatching(/^No group volume \| This server has no folder for the group volume of phusers/)
    ]);
  });
});

it('a job of the notebook server’s own group always reaches it', () => {
  expect(unreachableReason(hub('phusers'), 'phusers')).toBeNull();
  expect(unreachableReason(hub('team_b'), 'team_b')).toMatch(/team_b's group volume/);
});
