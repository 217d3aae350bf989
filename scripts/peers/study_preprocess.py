#!/usr/bin/python3
"""The study's preprocessing loop, for `npm run bench:preprocess -- <folder> --vs-study`.

The chain of the study (soundfile, then librosa.resample, whose default in the study's time was resampy's
kaiser_best; librosa returns the input unchanged when the rates are equal), written with soundfile and resampy
directly because Debian packages both (apt-get install -y python3-soundfile python3-resampy) and not librosa:
read always_2d, take channel 0, resample, move the first absolute peak to the attack, cut or pad to the length,
write a float32 WAV. Single process, like the study's for-loop. Prints one JSON line: files, skipped, seconds,
files_per_s, source_frames.

Usage: study_preprocess.py <input folder> <output folder> [--sample-rate 44100] [--attack 0.1] [--length 0.4]
"""
import argparse, json, os, time
import numpy as np
import resampy
import soundfile as sf

p = argparse.ArgumentParser()
p.add_argument("input"); p.add_argument("output")
p.add_argument("--sample-rate", type=int, default=44100)
p.add_argument("--attack", type=float, default=0.1)
p.add_argument("--length", type=float, default=0.4)
a = p.parse_args()
attack = int(np.round(a.attack * a.sample_rate))
length = int(np.round(a.length * a.sample_rate))
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.input) for f in fs
               if f.lower().endswith((".wav", ".flac", ".aif", ".aiff")) and not f.startswith("."))
os.makedirs(a.output, exist_ok=True)
done = skipped = frames = 0
start = time.perf_counter()
for i, path in enumerate(files):
    try:
        data, rate = sf.read(path, always_2d=True)
    except Exception:
        skipped += 1
        continue
    frames += data.shape[0]
    sample = data[:, 0]
    if rate != a.sample_rate:
        sample = resampy.resample(sample, rate, a.sample_rate, filter="kaiser_best")
    peak = int(np.argmax(np.abs(sample)))
    if peak > attack:
        sample = sample[peak - attack:]
    elif peak < attack:
        sample = np.pad(sample, [attack - peak, 0])
    sample = sample[:length] if sample.shape[0] > length else np.pad(sample, [0, length - sample.shape[0]])
    sf.write(os.path.join(a.output, "%06d.wav" % i), sample, a.sample_rate, subtype="FLOAT")
    done += 1
seconds = time.perf_counter() - start
print(json.dumps({"files": done, "skipped": skipped, "seconds": round(seconds, 3),
                  "files_per_s": round(done / seconds, 1) if seconds > 0 else None, "source_frames": frames}))
