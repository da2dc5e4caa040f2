import { apiTokenPage, baseUrl, graphqlEndpoint, jobConsolePage } from './endpoints';

describe('endpoints', () => {
  it.each([
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000/api/graphql'],
    ['http://127.0.0.1:5000/', 'http://127.0.0.1:5000/api/graphql'],
    ['https://hub.example.com/console/g/ml/jobs', 'https://hub.example.com/api/graphql'],
    ['hub.example.com', 'https://hub.example.com/api/graphql'],
    ['https://hub.example.com/api/graphql', 'https://hub.example.com/api/graphql'],
    ['https://hub.example.com/prefix/api/graphql/?x=1', 'https://hub.example.com/prefix/api/graphql']
  ])('%s → %s', (input, expected) => {
    expect(graphqlEndpoint(input)).toBe(expected);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => graphqlEndpoint('ftp://hub')).toThrow(/not an http/);
    expect(() => graphqlEndpoint('http://')).toThrow(/not a URL/);
  });

  it('builds console links', () => {
    const ep = 'https://hub.example.com/api/graphql';
    expect(baseUrl(ep)).toBe('https://hub.example.com');
    expect(apiTokenPage(ep, 'my group')).toBe('https://hub.example.com/console/g/my%20group/api-token');
    expect(jobConsolePage(ep, 'ml', 'job-1')).toBe('https://hub.example.com/console/g/ml/job/job-1');
  });
});
