import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Controller, type Service } from '../src/daemon/controller.ts';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

function recordingService(name: string, calls: string[], failOn?: 'start' | 'stop'): Service {
  return {
    name,
    async start() {
      calls.push(`start ${name}`);
      if (failOn === 'start') throw new Error(`${name} cannot start`);
    },
    async stop() {
      calls.push(`stop ${name}`);
      if (failOn === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('the daemon controller', () => {
  it('starts services in the order added and stops them in reverse', async () => {
    const calls: string[] = [];
    const { logger } = capturedLogger();
    const controller = new Controller(logger)
      .add(recordingService('playback', calls))
      .add(recordingService('docks', calls))
      .add(recordingService('dashboard', calls));
    await controller.start();
    await controller.stop();
    expect(calls).toEqual([
      'start playback',
      'start docks',
      'start dashboard',
      'stop dashboard',
      'stop docks',
      'stop playback',
    ]);
  });

  it('logs a service that fails to start and runs the others', async () => {
    const calls: string[] = [];
    const { logger, lines } = capturedLogger();
    const controller = new Controller(logger)
      .add(recordingService('docks', calls))
      .add(recordingService('dashboard', calls, 'start'))
      .add(recordingService('scheduler', calls));
    await controller.start();
    expect(controller.status()).toEqual([
      { name: 'docks', state: 'running', error: null },
      { name: 'dashboard', state: 'failed', error: 'dashboard cannot start' },
      { name: 'scheduler', state: 'running', error: null },
    ]);
    expect(lines.some((line) => line.level === 50 && line.serviceName === 'dashboard')).toBe(true);
    await controller.stop();
    expect(calls).not.toContain('stop dashboard');
  });

  it('keeps stopping the other services when one fails to stop', async () => {
    const calls: string[] = [];
    const controller = new Controller(capturedLogger().logger)
      .add(recordingService('docks', calls))
      .add(recordingService('dashboard', calls, 'stop'));
    await controller.start();
    await controller.stop();
    expect(calls.slice(-2)).toEqual(['stop dashboard', 'stop docks']);
    expect(controller.status().map((service) => service.state)).toEqual(['stopped', 'stopped']);
  });

  it('refuses two services with the same name', () => {
    const controller = new Controller(capturedLogger().logger).add(recordingService('docks', []));
    expect(() => controller.add(recordingService('docks', []))).toThrow(/already added/);
  });
});
