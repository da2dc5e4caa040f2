// Bundles the extension into dist/extension.js: Node target, `vscode` provided by the host.
const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

/** The codicons font and stylesheet for webviews (Compare Runs), from @vscode/codicons into dist/codicons. */
class CopyCodicons {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyCodicons', () => {
      const from = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
      const to = path.resolve(__dirname, 'dist', 'codicons');
      fs.mkdirSync(to, { recursive: true });
      for (const file of ['codicon.css', 'codicon.ttf']) {
        fs.copyFileSync(path.join(from, file), path.join(to, file));
      }
    });
  }
}

/** @type {import('webpack').Configuration} */
module.exports = {
  target: 'node',
  mode: 'production',
  entry: './src/extension.ts',
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'extension.js',
    libraryTarget: 'commonjs2',
    devtoolModuleFilenameTemplate: '../[resource-path]'
  },
  devtool: 'source-map',
  externals: { vscode: 'commonjs vscode' },
  resolve: { extensions: ['.ts', '.js'], conditionNames: ['node', 'require', 'default'] },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: [{ loader: 'ts-loader', options: { configFile: 'tsconfig.json', onlyCompileBundledFiles: true } }]
      }
    ]
  },
  // keep class and function names: error classes are told apart by name in logs
  optimization: { minimize: true },
  plugins: [
    new CopyCodicons(),
    // ssh2's optional native parts (its crypto binding, cpu-features) are tried in try/catch and fall back to
    // its JavaScript: a .node file cannot be bundled, and the extension ships no native module
    new webpack.IgnorePlugin({ resourceRegExp: /^cpu-features$|sshcrypto\.node$/ })
  ],
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' }
};
