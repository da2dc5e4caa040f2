/** The extension's command ids. */
export const CommandIDs = {
  submit: 'primehub-suite:submit-notebook',
  rerun: 'primehub-suite:rerun-job',
  openJob: 'primehub-suite:open-job',
  openPanel: 'primehub-suite:open-panel',
  registerModel: 'primehub-suite:register-model',
  compare: 'primehub-suite:compare-runs',
  compareSweep: 'primehub-suite:compare-sweep',
  addSshKey: 'primehub-suite:add-ssh-key',
  showDeployments: 'primehub-suite:show-deployments',
  deploy: 'primehub-suite:deploy-model',
  openDeployment: 'primehub-suite:open-deployment'
} as const;
