// Gives every unit test both tfjs backends: cpu and webgpu (Dawn over SwiftShader).
// A missing adapter is a hard failure: CI must never silently skip the WebGPU half.
import { create, globals } from 'webgpu';
import '@tensorflow/tfjs';

// The Vulkan loader reads this when Dawn creates its instance; SwiftShader is Debian chromium's CPU Vulkan.
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
Object.assign(globalThis, globals);
const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
if (!g.navigator?.gpu) {
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(g.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
}
await import('@tensorflow/tfjs-backend-webgpu');
