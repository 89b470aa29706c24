// Giving memory back after start-up. Start-up (parsing, compiling, first allocations) leaves each
// thread's malloc arena and V8 heap with pages an idle device never touches again; the memory
// reducer would release part of them after several seconds, and malloc never does by itself.
#include <malloc.h>
#include <v8.h>

#include "common.h"

namespace inferno {
namespace {

// releaseMemory() -> undefined: a full, compacting GC of the calling thread's isolate (V8's own
// response to memory pressure), then malloc_trim over every arena of the process.
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate) isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kCritical);
  malloc_trim(0);
  return info.Env().Undefined();
}

// limitMallocArenas(n) -> undefined: threads started after this share at most n malloc arenas
// (glibc makes one per thread up to 8 × cores, each keeping its own free pages).
Napi::Value LimitMallocArenas(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(ArgInteger(info, 0, "arenas", 1, 64));
  mallopt(M_ARENA_MAX, n);
  return info.Env().Undefined();
}

}  // namespace

void RegisterMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("releaseMemory", Napi::Function::New(env, ReleaseMemory, "releaseMemory"));
  exports.Set("limitMallocArenas", Napi::Function::New(env, LimitMallocArenas, "limitMallocArenas"));
}

}  // namespace inferno
