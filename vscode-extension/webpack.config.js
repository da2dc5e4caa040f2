// Bundles the extension into dist/extension.js: Node target, `vscode` provided by the host.
const path = require('node:path');

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
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' }
};
