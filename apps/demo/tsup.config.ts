import { appConfig } from '../../tsup.shared.ts';

export default appConfig({ main: 'src/main.ts' });
