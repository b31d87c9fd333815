// Request counts by verb and resource, for the benchmark that counts API requests per release
// phase and for GET /metrics (apiserver_request_total, Prometheus text format).

export class RequestMetrics {
  private readonly byVerbResource = new Map<string, number>();
  private readonly byLabels = new Map<
    string,
    { verb: string; resource: string; subresource: string; code: number; count: number }
  >();

  record(verb: string, resource: string, subresource: string, code: number): void {
    const key = `${verb} ${subresource ? `${resource}/${subresource}` : resource}`;
    this.byVerbResource.set(key, (this.byVerbResource.get(key) ?? 0) + 1);
    const labelKey = `${verb}\u0000${resource}\u0000${subresource}\u0000${code}`;
    const entry = this.byLabels.get(labelKey);
    if (entry) entry.count++;
    else this.byLabels.set(labelKey, { verb, resource, subresource, code, count: 1 });
  }

  /** `{'GET deployments': 3, 'WATCH pods': 1, 'PATCH virtualservices': 2, …}` */
  counts(): Record<string, number> {
    return Object.fromEntries(this.byVerbResource);
  }

  prometheus(): string {
    const lines = [
      '# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.',
      '# TYPE apiserver_request_total counter',
    ];
    for (const e of this.byLabels.values()) {
      lines.push(
        `apiserver_request_total{code="${e.code}",resource="${esc(e.resource)}",subresource="${esc(e.subresource)}",verb="${e.verb}"} ${e.count}`,
      );
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    lines.push(
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use, in bytes.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${memory.heapUsed}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
