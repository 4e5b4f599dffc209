/** The app's mark (same drawing as icons/icon.svg): two linked nodes on a tile. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect x="2" y="2" width="60" height="60" rx="14" fill="var(--accent)" />
      <path d="M27 37 L37 27" stroke="#fff" strokeWidth="6" strokeLinecap="round" />
      <circle cx="21" cy="43" r="8" fill="none" stroke="#fff" strokeWidth="5" />
      <circle cx="43" cy="21" r="8" fill="#fff" />
    </svg>
  );
}
