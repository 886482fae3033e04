// The package ships JavaScript only; this is the part of its Emscripten factory the station uses.
declare module '@echogarden/fvad-wasm' {
  const createModule: (options?: { wasmBinary?: Uint8Array }) => Promise<unknown>;
  export default createModule;
}
