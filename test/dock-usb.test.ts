// This host has no USB stack: evidock must start and say USB detection is unavailable.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsbHotplug } from '../src/dock/usb-hotplug.js';

describe('USB hotplug where there is no USB', () => {
  it.runIf(!existsSync('/sys/bus/usb'))('on this host (no /sys/bus/usb): unavailable, with the reason, and no crash', async () => {
    const h = await UsbHotplug.start();
    expect(h.available).toBe(false);
    expect(h.reason).toMatch(/no USB bus/);
    expect(h.devices).toEqual([]);
    h.close();
  });

  it('node-usb failing to load (missing libudev, wrong ABI) is unavailable, not fatal', async () => {
    const sys = mkdtempSync(path.join(tmpdir(), 'evidock-nousb-'));
    mkdirSync(path.join(sys, 'bus', 'usb'), { recursive: true });
    try {
      const h = await UsbHotplug.start({ sysRoot: sys, load: () => Promise.reject(new Error('libudev.so.1: cannot open shared object file')) });
      expect(h.available).toBe(false);
      expect(h.reason).toBe('node-usb could not be loaded: libudev.so.1: cannot open shared object file');
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });

  it('the real node-usb 2.18 loads and registers hotplug without a bus, and lets the process exit', async () => {
    const sys = mkdtempSync(path.join(tmpdir(), 'evidock-nousb-'));
    mkdirSync(path.join(sys, 'bus', 'usb'), { recursive: true }); // pretend a bus so the real addon is exercised
    try {
      const h = await UsbHotplug.start({ sysRoot: sys });
      expect(h.available).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      h.close();
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });
});
