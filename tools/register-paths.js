// Resolves the @complaints/* path aliases of tsconfig.json against the compiled
// output in dist/, so `node dist/...` runs without a bundler.
const path = require('path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

tsConfigPaths.register({ baseUrl: path.join(__dirname, '..', 'dist'), paths: compilerOptions.paths });
