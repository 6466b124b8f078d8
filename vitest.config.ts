import { configDefaults, defineConfig } from 'vitest/config';

// The QEMU guests emulate a whole machine (TCG, no KVM here): they run last, one at a time, with
// nothing else competing for the two cores, so that guest-side USB and SCSI timeouts are not
// tripped by a starved emulator.
const QEMU_TESTS = 'test/system/qemu-*.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Every daemon a test starts serves its station page on a free loopback port, so that test
    // files running side by side never fight over the default 127.0.0.1:8420.
    env: { EVIDOCK_WEB_LISTEN: '127.0.0.1:0' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, QEMU_TESTS],
          // Daemon and system tests start real processes; two cores, so keep files in parallel modest.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'qemu',
          include: [QEMU_TESTS],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
