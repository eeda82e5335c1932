import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from './metrics.ts';

describe('Prometheus metrics', () => {
  it('counts requests per route and status and buckets their latency', () => {
    const metrics = new PrometheusMetrics(() => ({ bazaary_ws_connections: { help: 'Open sockets.', value: 3 } }));
    metrics.observeRequest('/api/products/:id', 'GET', 200, 4);
    metrics.observeRequest('/api/products/:id', 'GET', 200, 40);
    metrics.observeRequest('/api/products/:id', 'GET', 404, 1);
    const text = metrics.render();
    expect(text).toContain('bazaary_http_requests_total{method="GET",route="/api/products/:id",status="200"} 2');
    expect(text).toContain('bazaary_http_requests_total{method="GET",route="/api/products/:id",status="404"} 1');
    expect(text).toContain('bazaary_http_request_duration_seconds_bucket{method="GET",route="/api/products/:id",le="0.005"} 2');
    expect(text).toContain('bazaary_http_request_duration_seconds_bucket{method="GET",route="/api/products/:id",le="0.05"} 3');
    expect(text).toContain('bazaary_http_request_duration_seconds_count{method="GET",route="/api/products/:id"} 3');
    expect(text).toContain('bazaary_ws_connections 3');
  });

  it('escapes label values so a hostile route name cannot break the format', () => {
    const metrics = new PrometheusMetrics(() => ({}));
    metrics.observeRequest('a"b\nc', 'GET', 400, 1);
    expect(metrics.render()).toContain('route="a\\"b\\nc"');
  });
});
