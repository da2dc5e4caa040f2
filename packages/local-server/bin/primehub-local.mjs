#!/usr/bin/env node
// The CLI's committed entry: npm links a workspace's bin only when the file exists at install
// time, and dist/ is built later by the bootstrap.
import '../dist/cli.js';
