# Shared by benchmarks/clinical/run.sh and daily_fa.sh (sourced, not run).

# rr_daily_inputs SRC DEST: links the real Holter beat files of SRC into DEST, each with an empty
# annotation file (no seizures), so that predict scores them and every alarm counts as false.
rr_daily_inputs() {
  local src dest=$2 f name
  src=$(cd "$1" && pwd)  # the links must not depend on where they are read from
  mkdir -p "$dest"
  for f in "$src"/*_beats.csv*; do
    name=$(basename "$f"); name=${name%%_beats.csv*}
    ln -sf "$f" "$dest/"
    printf 'version = tse_v1.0.0\n\n' > "$dest/$name.tse_bi"
  done
}
