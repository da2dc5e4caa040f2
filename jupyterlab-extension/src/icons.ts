import { LabIcon } from '@jupyterlab/ui-components';
import primehubSvg from '../style/primehub.svg';

/** PrimeHub's mark, for the side panel, job tabs and the toolbar button. */
export const primehubIcon = new LabIcon({ name: 'primehub-suite:primehub', svgstr: primehubSvg });
