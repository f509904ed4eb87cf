import { useEffect, useState } from "preact/hooks";

/** Width available to charts in the main column, following window resizes. */
export function useWidth(): number {
  const measure = () => Math.max(320, Math.min(1100, document.querySelector("main")?.clientWidth ?? 960) - 48);
  const [width, setWidth] = useState(measure);
  useEffect(() => {
    let timer = 0;
    const onResize = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setWidth(measure()), 150);
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return width;
}
