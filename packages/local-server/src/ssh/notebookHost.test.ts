import { escapeUsername, notebookHost, sshConfigBlock } from './notebookHost';

test('user names are escaped as KubeSpawner puts them into pod names', () => {
  expect(escapeUsername('phuser')).toBe('phuser');
  expect(escapeUsername('Foo_bar')).toBe('-46oo-5fbar');
  expect(escapeUsername('a.b@c')).toBe('a-2eb-40c');
  expect(escapeUsername('é')).toBe('-c3-a9');
  expect(notebookHost('Foo_bar')).toBe('jupyter--46oo-5fbar.hub');
});

test('the config block is the one PrimeHub spawner shows', () => {
  expect(
    sshConfigBlock({ host: 'jupyter-phuser.hub', login: 'jovyan', bastionHost: 'hub.example', bastionPort: 2222 })
  ).toBe(
    [
      'HOST jupyter-phuser.hub',
      '  User jovyan',
      '  Hostname jupyter-phuser.hub',
      '  Port 22',
      '  ForwardAgent yes',
      '  ProxyCommand ssh -W %h:%p -i ~/.ssh/id_rsa limited-user@hub.example -p 2222',
      '  IdentityFile ~/.ssh/id_rsa',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile=/dev/null',
      ''
    ].join('\n')
  );
});
