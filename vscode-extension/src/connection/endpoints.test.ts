import { apiTokenPage, baseUrl, graphqlEndpoint, isLoopbackHost, jobConsolePage } from './endpoints';

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

describe('a URL typed without a scheme', () => {
  it('is http on this machine and https elsewhere', () => {
    expect(graphqlEndpoint('127.0.0.1:8321')).toBe('http://127.0.0.1:8321/api/graphql');
    expect(graphqlEndpoint('localhost:8321/console')).toBe('http://localhost:8321/api/graphql');
    expect(graphqlEndpoint('[::1]:8321')).toBe('http://[::1]:8321/api/graphql');
    expect(graphqlEndpoint('primehub.example.com')).toBe('https://primehub.example.com/api/graphql');
    expect(graphqlEndpoint('127.0.0.1.example.com')).toBe('https://127.0.0.1.example.com/api/graphql');
    expect(graphqlEndpoint('https://127.0.0.1:8443')).toBe('https://127.0.0.1:8443/api/graphql');
  });

  it('knows loopback hosts', () => {
    expect(['localhost', 'LOCALHOST', '127.1.2.3', '::1', '[::1]', 'a.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com'].some(isLoopbackHost)).toBe(false);
  });
});
