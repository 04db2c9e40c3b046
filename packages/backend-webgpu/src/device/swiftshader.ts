/** Where Debian's chromium-common puts SwiftShader's Vulkan driver (a software GPU). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
