// What ships: pnpm pack / publish write this manifest into the tarball, not
// the workspace one. Scripts and devDependencies only make sense inside the
// workspace (`vitest --root ../..`, `@ocikit/testbed`), so they are dropped.
module.exports = {
  hooks: {
    beforePacking(manifest) {
      delete manifest.scripts;
      delete manifest.devDependencies;
      return manifest;
    },
  },
};
