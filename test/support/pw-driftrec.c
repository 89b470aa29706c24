/* pw-driftrec: a PipeWire capture stream that is also the graph's driver, ticking at
 * rate × (1 + ppm) by CLOCK_MONOTONIC, so every client of the graph (an ALSA program playing into
 * the null sink) runs on a clock that is off by a known amount. It records the sink's monitor as raw
 * interleaved s32le and prints "frames=<n> cycles=<n>" at the end.
 *
 * usage: pw-driftrec TARGET OUT.raw PPM SECONDS [QUANTUM] [CHANNELS]
 *
 * PipeWire 0.3.65 has no drift knob for its dummy driver (and libfaketime stalls its absolute
 * timerfd), hence a driver of our own. It publishes its clock in spa_io_position.clock the way a
 * device driver does; without that, ALSA clients get a bogus snd_pcm_delay(). The clock fields are
 * written from the main loop while the data thread reads them: harmless for a test tool. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <spa/param/audio/format-utils.h>
#include <pipewire/pipewire.h>

struct driftrec {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_source *timer;
	FILE *out;
	struct spa_io_position *position;
	uint64_t frames, cycles, max_cycles;
	uint32_t quantum, rate, channels;
	double period_ns;
};

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct driftrec *d = data;
	(void)size;
	if (id == SPA_IO_Position)
		d->position = area;
}

static void on_process(void *data)
{
	struct driftrec *d = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(d->stream);
	if (b == NULL)
		return;
	struct spa_data *sd = &b->buffer->datas[0];
	if (sd->data != NULL && sd->chunk->size > 0) {
		fwrite(SPA_PTROFF(sd->data, sd->chunk->offset, void), 1, sd->chunk->size, d->out);
		d->frames += sd->chunk->size / (4 * d->channels);
	}
	pw_stream_queue_buffer(d->stream, b);
}

static void on_timeout(void *data, uint64_t expirations)
{
	struct driftrec *d = data;
	d->cycles += expirations;
	if (d->position != NULL) {
		struct spa_io_clock *c = &d->position->clock;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t now = SPA_TIMESPEC_TO_NSEC(&ts);
		if (c->duration)
			c->position += c->duration;
		c->nsec = now;
		c->rate = SPA_FRACTION(1, d->rate);
		c->duration = d->quantum;
		c->delay = 0;
		c->rate_diff = 1.0;
		c->next_nsec = now + (uint64_t)d->period_ns;
	}
	pw_stream_trigger_process(d->stream);
	if (d->max_cycles && d->cycles >= d->max_cycles)
		pw_main_loop_quit(d->loop);
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error)
{
	struct driftrec *d = data;
	(void)old;
	fprintf(stderr, "pw-driftrec: state %s %s\n", pw_stream_state_as_string(state), error ? error : "");
	if (state == PW_STREAM_STATE_ERROR)
		pw_main_loop_quit(d->loop);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state,
	.io_changed = on_io_changed,
	.process = on_process,
};

static void on_signal(void *data, int sig)
{
	(void)sig;
	pw_main_loop_quit(((struct driftrec *)data)->loop);
}

int main(int argc, char *argv[])
{
	struct driftrec d = { 0 };
	if (argc < 5) {
		fprintf(stderr, "usage: %s TARGET OUT.raw PPM SECONDS [QUANTUM] [CHANNELS]\n", argv[0]);
		return 2;
	}
	double ppm = atof(argv[3]), seconds = atof(argv[4]);
	d.rate = 48000;
	d.quantum = argc > 5 ? (uint32_t)atoi(argv[5]) : 1024;
	d.channels = argc > 6 ? (uint32_t)atoi(argv[6]) : 2;
	if (d.quantum < 32 || d.quantum > 8192 || d.channels < 1 || d.channels > 64 || fabs(ppm) > 100000) {
		fprintf(stderr, "pw-driftrec: bad quantum, channels or ppm\n");
		return 2;
	}
	d.out = fopen(argv[2], "wb");
	if (d.out == NULL) {
		perror(argv[2]);
		return 1;
	}
	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	struct pw_loop *loop = pw_main_loop_get_loop(d.loop);
	pw_loop_add_signal(loop, SIGINT, on_signal, &d);
	pw_loop_add_signal(loop, SIGTERM, on_signal, &d);
	char latency[64];
	snprintf(latency, sizeof(latency), "%u/%u", d.quantum, d.rate);
	d.stream = pw_stream_new_simple(loop, "pw-driftrec",
		pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Production", PW_KEY_TARGET_OBJECT, argv[1],
			"stream.capture.sink", "true", PW_KEY_NODE_LATENCY, latency,
			PW_KEY_NODE_RATE, "1/48000", "priority.driver", "30000", NULL),
		&stream_events, &d);
	uint8_t buffer[1024];
	struct spa_pod_builder builder = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_S32,
		.channels = d.channels, .rate = d.rate);
	if (d.channels == 2) {
		info.position[0] = SPA_AUDIO_CHANNEL_FL;
		info.position[1] = SPA_AUDIO_CHANNEL_FR;
	} else {
		for (uint32_t i = 0; i < d.channels; i++)
			info.position[i] = SPA_AUDIO_CHANNEL_AUX0 + i;
	}
	const struct spa_pod *params[1] = { spa_format_audio_raw_build(&builder, SPA_PARAM_EnumFormat, &info) };
	pw_stream_connect(d.stream, PW_DIRECTION_INPUT, PW_ID_ANY,
		PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS | PW_STREAM_FLAG_DRIVER,
		params, 1);
	d.period_ns = 1e9 * d.quantum / (d.rate * (1.0 + ppm * 1e-6));
	struct timespec first = { 0, 1 };
	struct timespec interval = { (time_t)(d.period_ns / 1e9), (long)fmod(d.period_ns, 1e9) };
	d.timer = pw_loop_add_timer(loop, on_timeout, &d);
	pw_loop_update_timer(loop, d.timer, &first, &interval, false);
	d.max_cycles = seconds > 0 ? (uint64_t)(seconds * d.rate * (1.0 + ppm * 1e-6) / d.quantum) : 0;
	pw_main_loop_run(d.loop);
	printf("frames=%llu cycles=%llu\n", (unsigned long long)d.frames, (unsigned long long)d.cycles);
	pw_stream_destroy(d.stream);
	pw_main_loop_destroy(d.loop);
	fclose(d.out);
	pw_deinit();
	return 0;
}
