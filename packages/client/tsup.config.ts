import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/scripts/src/tsup-package.ts';

export default defineConfig(packageBuild());
