//! Links wasmtime's C API into one static library, plus the few WASI
//! settings that the pinned C API does not expose.
//!
//! Everything else the host needs is exported by `wasmtime-c-api-impl`; the
//! declarations of the extra functions live in
//! `src/sandbox/wasmtime_extras.h`.

pub use wasmtime_c_api;

use wasmtime_c_api::wasi_config_t;
use wasmtime_wasi::WasiCtxBuilder;

/// Borrows the `WasiCtxBuilder` inside a `wasi_config_t`.
///
/// `wasi_config_t` is `#[repr(C)]` with the builder as its only field, so
/// the builder sits at offset 0. Both crates are pinned to the same exact
/// release in Cargo.toml, so the type is the same one the C API uses.
unsafe fn builder_of(config: *mut wasi_config_t) -> &'static mut WasiCtxBuilder {
    &mut *(config as *mut WasiCtxBuilder)
}

/// Caps the bytes one `random_get` call may request, in bytes. A larger
/// request traps the guest instead of making the host allocate it.
///
/// # Safety
/// `config` must be a live pointer returned by `wasi_config_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn boxagnts_wasi_config_set_max_random_size(
    config: *mut wasi_config_t,
    max_bytes: u64,
) {
    builder_of(config).max_random_size(max_bytes);
}

/// Like `wasmtime_store_limiter`, and also makes a denied memory or table
/// growth trap instead of returning -1 to the guest, so the host can report
/// the run as stopped by its memory limit. Negative values mean no limit.
///
/// # Safety
/// `store` must be a live pointer returned by `wasmtime_store_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn boxagnts_store_limiter(
    store: *mut wasmtime_c_api::wasmtime_store_t,
    memory_size: i64,
    table_elements: i64,
    instances: i64,
    tables: i64,
    memories: i64,
) {
    let store = &mut *store;
    // Installs the limiter closure, which reads `data.store_limits` on every
    // call, so replacing the field below takes effect.
    wasmtime_c_api::wasmtime_store_limiter(
        store,
        memory_size,
        table_elements,
        instances,
        tables,
        memories,
    );
    let mut builder = wasmtime_c_api::wasmtime::StoreLimitsBuilder::new().trap_on_grow_failure(true);
    if memory_size >= 0 {
        builder = builder.memory_size(memory_size as usize);
    }
    if table_elements >= 0 {
        builder = builder.table_elements(table_elements as usize);
    }
    if instances >= 0 {
        builder = builder.instances(instances as usize);
    }
    if tables >= 0 {
        builder = builder.tables(tables as usize);
    }
    if memories >= 0 {
        builder = builder.memories(memories as usize);
    }
    let mut context = wasmtime_c_api::wasmtime_store_context(store);
    context.data_mut().store_limits = builder.build();
}
