/** Raw HTTP helpers for tests that check PrimeHub Local's wire behaviour directly. */

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions: { code: string } }[] };
}

export async function gql<T = any>(
  endpoint: string,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>
): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as GqlResponse<T>['body'] };
}

/** Like {@link gql} but fails the test on any error; returns `data`. */
export async function gqlOk<T = any>(
  endpoint: string,
  token: string,
  query: string,
  variables?: Record<string, unknown>
): Promise<T> {
  const res = await gql<T>(endpoint, token, query, variables);
  if (res.status !== 200 || res.body.errors) {
    throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(res.body.errors)}`);
  }
  return res.body.data as T;
}

export const JOB_FIELDS =
  'id displayName phase reason message groupId groupName userName schedule createTime startTime finishTime logEndpoint activeDeadlineSeconds';

export async function submitJob(
  endpoint: string,
  token: string,
  data: Record<string, unknown>
): Promise<{ id: string; phase: string; logEndpoint: string }> {
  const res = await gqlOk(
    endpoint,
    token,
    `mutation ($data: PhJobCreateInput!) { createPhJob(data: $data) { ${JOB_FIELDS} } }`,
    {
      data: { displayName: 'test-job', instanceType: 'cpu-1', image: 'base-notebook', ...data }
    }
  );
  return res.createPhJob;
}

export async function getJob(endpoint: string, token: string, id: string): Promise<any> {
  const res = await gqlOk(
    endpoint,
    token,
    `query ($where: PhJobWhereUniqueInput!) { phJob(where: $where) { ${JOB_FIELDS} artifact { prefix items { name size lastModified } } } }`,
    {
      where: { id }
    }
  );
  return res.phJob;
}

const TERMINAL = ['Succeeded', 'Failed', 'Cancelled', 'Unknown'];

/** Polls until the job reaches one of `phases` (default: any terminal phase); returns it. */
export async function waitForJob(
  endpoint: string,
  token: string,
  id: string,
  phases = TERMINAL,
  timeoutMs = 60_000
): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(endpoint, token, id);
    if (phases.includes(job.phase)) {
      return job;
    }
    if (Date.now() > until) {
      throw new Error(`job ${id} still ${job.phase} (${job.message}) after ${timeoutMs} ms`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
}

export async function fetchText(url: string, token: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}
