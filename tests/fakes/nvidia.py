"""A fake nvidia-smi: FAKE_GPU_COUNT A100s, driver FAKE_DRIVER, CUDA FAKE_CUDA; FAKE_OLD_DRIVER
rejects the newer query fields as old drivers do."""

from __future__ import annotations

NVIDIA_SMI = r'''#!/bin/sh
case "$1" in
  --query-gpu=*)
    case "$1" in *compute_cap*)
      if [ -n "$FAKE_OLD_DRIVER" ]; then echo 'Field "compute_cap" is not a valid field to query.'; exit 2; fi
      rich=1 ;; *) rich= ;; esac
    i=0
    while [ $i -lt ${FAKE_GPU_COUNT:-2} ]; do
      if [ -n "$rich" ]; then
        echo "$i, NVIDIA A100-SXM4-80GB, 81920, ${FAKE_DRIVER:-550.54.15}, GPU-0000000$i-aaaa-bbbb-cccc-dddddddddddd, 8.0, 1024, [N/A], Enabled, 00000000:0$i:00.0"
      else
        echo "$i, NVIDIA A100-SXM4-80GB, 81920, ${FAKE_DRIVER:-550.54.15}, GPU-0000000$i-aaaa-bbbb-cccc-dddddddddddd"
      fi
      i=$((i+1))
    done ;;
  *)
    echo "+-----------------------------------------------------------------------------+"
    echo "| NVIDIA-SMI ${FAKE_DRIVER:-550.54.15}   Driver Version: ${FAKE_DRIVER:-550.54.15}   CUDA Version: ${FAKE_CUDA:-12.4}     |"
    echo "+-----------------------------------------------------------------------------+" ;;
esac
'''
