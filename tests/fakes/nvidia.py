"""A fake nvidia-smi: FAKE_GPU_COUNT A100s, driver FAKE_DRIVER, CUDA FAKE_CUDA."""

from __future__ import annotations

NVIDIA_SMI = r'''#!/bin/sh
case "$1" in
  --query-gpu=*)
    i=0
    while [ $i -lt ${FAKE_GPU_COUNT:-2} ]; do
      echo "$i, NVIDIA A100-SXM4-80GB, 81920, ${FAKE_DRIVER:-550.54.15}, GPU-0000000$i-aaaa-bbbb-cccc-dddddddddddd"
      i=$((i+1))
    done ;;
  *)
    echo "+-----------------------------------------------------------------------------+"
    echo "| NVIDIA-SMI ${FAKE_DRIVER:-550.54.15}   Driver Version: ${FAKE_DRIVER:-550.54.15}   CUDA Version: ${FAKE_CUDA:-12.4}     |"
    echo "+-----------------------------------------------------------------------------+" ;;
esac
'''
