# The native timing helper: clocks, absolute sleeps, thread scheduling and kernel-timestamped
# UDP sockets for PTP, the transmit and receive workers' audio flow sockets, and ALSA PCM I/O
# (libasound opened at run time: no ALSA headers needed). Linux only; any other platform (or a
# failed build) uses the JS fallback.
{
  'targets': [
    {
      'target_name': 'inferno_native',
      'sources': [
        'src/addon.cc',
        'src/common.cc',
        'src/clock.cc',
        'src/sleep.cc',
        'src/sched.cc',
        'src/ptp_socket.cc',
        'src/ptp_timestamps.cc',
        'src/ptp_watch.cc',
        'src/memory.cc',
        'src/usrvclock.cc',
        'src/phc.cc',
        'src/alsa.cc',
        'src/udp_tx.cc',
        'src/udp_rx.cc',
      ],
      # C++ exceptions on: argument errors are thrown as Napi::TypeError and reach JS as TypeError.
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'defines': ['NAPI_VERSION=8', '_GNU_SOURCE'],
      # dlopen of libasound.so.2 (part of libc since glibc 2.34; -ldl keeps older ones working).
      'libraries': ['-ldl'],
      'cflags_cc': ['-std=c++17', '-Wall', '-Wextra', '-O2'],
    },
  ],
}
