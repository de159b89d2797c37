// The backend chip's short facts: the backend's name and what a person choosing a backend cares
// about, on one line; the explanations (after ";") and the kernels note stay in the disclosure.
import { describe, expect, it } from 'vitest';
import { chipParts, reasonsOf } from '../../../src/ui/views/run/backendChip';

describe('the backend chip', () => {
  it('names the backend with its short facts only', () => {
    expect(chipParts({ backend: 'wasm', info: 'SIMD, 2 threads, fast kernels' })).toEqual(['WASM', 'SIMD', '2 threads']);
    expect(chipParts({ backend: 'wasm', info: 'SIMD, 1 thread, fast kernels; one thread because the page is not cross-origin isolated (see README: COOP/COEP headers)' })).toEqual(['WASM', 'SIMD', '1 thread']);
    expect(chipParts({ backend: 'webgpu', info: 'stock kernels' })).toEqual(['WebGPU']);
    expect(chipParts({ backend: 'cpu', info: 'fast kernels' })).toEqual(['CPU']);
  });

  it('lists each backend passed over as a reason of its own, driver names kept', () => {
    expect(reasonsOf('no WebGPU adapter; WebGL renderer is software (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver))')).toEqual([
      'no WebGPU adapter',
      'WebGL renderer is software (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver))',
    ]);
  });
});
