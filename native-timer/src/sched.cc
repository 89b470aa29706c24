// Thread scheduling and memory locking. Permission problems are results, not exceptions: a device
// without CAP_SYS_NICE still runs, just with more jitter, and the caller decides what to log.
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "common.h"

namespace inferno {
namespace {

std::string RtprioHint() {
  rlimit rl{};
  std::string cur = "unknown";
  if (getrlimit(RLIMIT_RTPRIO, &rl) == 0) cur = rl.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(rl.rlim_cur);
  return "needs CAP_SYS_NICE or an RLIMIT_RTPRIO at least the priority (current RLIMIT_RTPRIO " + cur +
         "; raise with 'ulimit -r', limits.conf 'rtprio' or systemd LimitRTPRIO=)";
}

std::string MemlockHint() {
  rlimit rl{};
  std::string cur = "unknown";
  if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
    cur = rl.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(rl.rlim_cur / 1024) + " KiB";
  }
  return "needs CAP_IPC_LOCK or a large enough RLIMIT_MEMLOCK (current " + cur +
         "; raise with 'ulimit -l', limits.conf 'memlock' or systemd LimitMEMLOCK=)";
}

// setRealtimePriority(policy: 'fifo'|'rr'|'other', priority) for the calling thread.
Napi::Value SetRealtimePriority(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string p = ArgString(info, 0, "policy");
  int policy;
  if (p == "fifo") policy = SCHED_FIFO;
  else if (p == "rr") policy = SCHED_RR;
  else if (p == "other") policy = SCHED_OTHER;
  else throw Napi::TypeError::New(env, "policy must be 'fifo', 'rr' or 'other'");
  // The range is the kernel's to judge (EINVAL below); only the type is checked here.
  int prio = ArgInt32(info, 1, "priority");
  sched_param sp{};
  sp.sched_priority = prio;
  int r = pthread_setschedparam(pthread_self(), policy, &sp);
  if (r == 0) return OkResult(env);
  if (r == EPERM) return ErrnoResult(env, r, "setting " + p + " priority " + std::to_string(prio) + " " + RtprioHint());
  if (r == EINVAL) {
    return ErrnoResult(env, r, "priority " + std::to_string(prio) + " is invalid for policy " + p + " (accepted " +
                                   std::to_string(sched_get_priority_min(policy)) + ".." +
                                   std::to_string(sched_get_priority_max(policy)) + ")");
  }
  return ErrnoResult(env, r, std::string("pthread_setschedparam: ") + std::strerror(r));
}

// threadScheduling(): { policy, priority } of the calling thread, to verify the above.
Napi::Value ThreadScheduling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int policy = 0;
  sched_param sp{};
  int r = pthread_getschedparam(pthread_self(), &policy, &sp);
  if (r != 0) throw SystemError(env, r, "pthread_getschedparam");
  const char* name = policy == SCHED_FIFO ? "fifo" : policy == SCHED_RR ? "rr" : policy == SCHED_OTHER ? "other" : "unknown";
  Napi::Object o = Napi::Object::New(env);
  o.Set("policy", name);
  o.Set("priority", Napi::Number::New(env, sp.sched_priority));
  return o;
}

// setCpuAffinity(cpus: number[]) for the calling thread.
Napi::Value SetCpuAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "cpus must be an array of CPU numbers");
  Napi::Array arr = info[0].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < arr.Length(); i++) {
    int64_t cpu = ToInteger(env, arr.Get(i), "cpus[i]", 0, INT32_MAX);
    if (cpu >= CPU_SETSIZE) {
      return ErrnoResult(env, EINVAL, "CPU " + std::to_string(cpu) + " is beyond CPU_SETSIZE " + std::to_string(CPU_SETSIZE));
    }
    CPU_SET(static_cast<int>(cpu), &set);
  }
  if (CPU_COUNT(&set) == 0) return ErrnoResult(env, EINVAL, "cpus is empty");
  int r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (r == 0) return OkResult(env);
  if (r == EINVAL) return ErrnoResult(env, r, "none of the CPUs is online and allowed for this process");
  if (r == EPERM) return ErrnoResult(env, r, "changing CPU affinity needs CAP_SYS_NICE");
  return ErrnoResult(env, r, std::string("pthread_setaffinity_np: ") + std::strerror(r));
}

// getCpuAffinity(): the CPUs the calling thread may run on.
Napi::Value GetCpuAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cpu_set_t set;
  CPU_ZERO(&set);
  int r = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
  if (r != 0) throw SystemError(env, r, "pthread_getaffinity_np");
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(n++, Napi::Number::New(env, cpu));
  }
  return out;
}

// mlockAll(): lock current and future pages of the whole process (page faults cause audio glitches).
Napi::Value MlockAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) return OkResult(env);
  int err = errno;
  if (err == EPERM || err == ENOMEM) return ErrnoResult(env, err, "mlockall " + MemlockHint());
  return ErrnoResult(env, err, std::string("mlockall: ") + std::strerror(err));
}

// munlockAll(): undo mlockAll (tests and clean shutdown).
Napi::Value MunlockAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (munlockall() == 0) return OkResult(env);
  int err = errno;
  return ErrnoResult(env, err, std::string("munlockall: ") + std::strerror(err));
}

// setTimerSlackNs(ns) for the calling thread. Normal threads get 50 µs of slack by default, which
// every clock_nanosleep wake-up may be delayed by; real-time threads have none.
Napi::Value SetTimerSlackNs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t ns = ArgInteger(info, 0, "ns", 1, INT32_MAX);
  if (prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(ns), 0, 0, 0) == 0) return OkResult(env);
  int err = errno;
  return ErrnoResult(env, err, std::string("prctl(PR_SET_TIMERSLACK): ") + std::strerror(err));
}

// timerSlackNs(): the calling thread's current timer slack.
Napi::Value TimerSlackNs(const Napi::CallbackInfo& info) {
  int r = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  if (r < 0) throw SystemError(info.Env(), errno, "prctl");
  return Napi::Number::New(info.Env(), r);
}

}  // namespace

void RegisterSched(Napi::Env env, Napi::Object exports) {
  exports.Set("setRealtimePriority", Napi::Function::New(env, SetRealtimePriority, "setRealtimePriority"));
  exports.Set("threadScheduling", Napi::Function::New(env, ThreadScheduling, "threadScheduling"));
  exports.Set("setCpuAffinity", Napi::Function::New(env, SetCpuAffinity, "setCpuAffinity"));
  exports.Set("getCpuAffinity", Napi::Function::New(env, GetCpuAffinity, "getCpuAffinity"));
  exports.Set("setTimerSlackNs", Napi::Function::New(env, SetTimerSlackNs, "setTimerSlackNs"));
  exports.Set("timerSlackNs", Napi::Function::New(env, TimerSlackNs, "timerSlackNs"));
  exports.Set("mlockAll", Napi::Function::New(env, MlockAll, "mlockAll"));
  exports.Set("munlockAll", Napi::Function::New(env, MunlockAll, "munlockAll"));
}

}  // namespace inferno
