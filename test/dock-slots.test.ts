import { describe, expect, it } from 'vitest';
import { RecorderFilter, RecorderFilterError } from '../src/dock/recorder-filter.js';
import { SlotMap, SlotMapError } from '../src/dock/slots.js';
import type { UsbDeviceInfo } from '../src/dock/usb-device.js';
import { parsePortPath, portPathOf } from '../src/dock/usb-device.js';

const dev = (o: Partial<UsbDeviceInfo>): UsbDeviceInfo => ({
  vendorId: '46f4', productId: '0001', serial: 'BWC1', busNumber: 1, ports: [1, 2], portPath: '1-1.2', interfaceClasses: [8], ...o,
});

describe('slot mapping', () => {
  const slots = new SlotMap({ '1-1.1': 'A1', '1-1.2': 'A2', '1.3': 'A3', '2-4': 'B1' });
  it('maps exact port paths and bus-less port chains to labels', () => {
    expect(slots.labelOf('1-1.2')).toBe('A2');
    expect(slots.labelOf('3-1.3')).toBe('A3'); // any bus
    expect(slots.labelOf('2-4')).toBe('B1');
    expect(slots.labelOf('1-4')).toBeUndefined();
  });
  it('names an unconfigured port by where it is', () => {
    expect(slots.slotFor('1-1.7')).toBe('usb-1-1.7');
    expect(slots.slotFor('1-1.1')).toBe('A1');
  });
  it('lists configured labels in dock order', () => {
    expect(slots.labels).toEqual(['A1', 'A2', 'A3', 'B1']);
    expect(new SlotMap({ '1-1.10': 'A10', '1-1.9': 'A9' }).labels).toEqual(['A9', 'A10']);
  });
  it('rejects bad keys, bad labels and duplicate labels, naming them', () => {
    expect(() => new SlotMap({ 'usb1/1-1': 'A1' })).toThrow(/docks\.slots: "usb1\/1-1" is not a USB port path/);
    expect(() => new SlotMap({ '1-1': 'A 1' })).toThrow(SlotMapError);
    expect(() => new SlotMap({ '1-1': 'A1', '1-2': 'A1' })).toThrow(/label "A1" is used for both "1-1" and "1-2"/);
  });
  it('port path helpers', () => {
    expect(portPathOf(1, [1, 2])).toBe('1-1.2');
    expect(parsePortPath('2-1.4.3')).toEqual({ busNumber: 2, ports: [1, 4, 3] });
    expect(parsePortPath('1-1:1.0')).toBeNull();
    expect(parsePortPath('usb1')).toBeNull();
  });
});

describe('recorder filtering', () => {
  const slots = new SlotMap({ '1-1.1': 'A1', '1-1.2': 'A2' });
  it('vendor:product list (exact and vendor-wide)', () => {
    const f = new RecorderFilter({ recorders: ['2ca3:0031', '46F4:*'], massStorageOnSlots: false }, slots);
    expect(f.decide(dev({ vendorId: '2ca3', productId: '0031', portPath: '3-9', interfaceClasses: [] })).recorder).toBe(true);
    expect(f.decide(dev({ productId: 'beef', portPath: '3-9' }))).toMatchObject({ recorder: true, why: '46f4:beef is in docks.recorders' });
    expect(f.decide(dev({ vendorId: '0781', productId: '5567' }))).toEqual({ recorder: false, why: '0781:5567 is not in docks.recorders' });
  });
  it('any mass-storage device on a configured slot', () => {
    const f = new RecorderFilter({ recorders: [], massStorageOnSlots: true }, slots);
    expect(f.decide(dev({ vendorId: '0781', productId: '5567' }))).toEqual({ recorder: true, why: 'mass-storage device on dock slot A2' });
    expect(f.decide(dev({ portPath: '1-3' }))).toMatchObject({ recorder: false, why: expect.stringContaining('not a configured dock slot') });
    expect(f.decide(dev({ interfaceClasses: [3] }))).toMatchObject({ recorder: false, why: expect.stringContaining('not a mass-storage device') });
    expect(f.decide(dev({ interfaceClasses: [9] })).recorder).toBe(false); // a hub on a slot port
  });
  it('logs an ignored device once, per device and port', () => {
    const f = new RecorderFilter({ recorders: [], massStorageOnSlots: true }, slots);
    const keyboard = dev({ vendorId: '046d', productId: 'c31c', interfaceClasses: [3], serial: null });
    expect(f.firstIgnore(keyboard)).toBe(true);
    expect(f.firstIgnore(keyboard)).toBe(false);
    expect(f.firstIgnore({ ...keyboard, portPath: '1-1.1' })).toBe(true);
  });
  it('rejects a malformed vendor:product naming the entry', () => {
    expect(() => new RecorderFilter({ recorders: ['46f4-0001'], massStorageOnSlots: false }, slots)).toThrow(RecorderFilterError);
    expect(() => new RecorderFilter({ recorders: ['46f4:0001', 'x'], massStorageOnSlots: false }, slots)).toThrow(/docks\.recorders\[1\]/);
  });
});
